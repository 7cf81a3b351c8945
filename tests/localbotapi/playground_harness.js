// Runs localbotapi/static/playground.js under Node with a minimal fake DOM against a live
// server, renders the chat, clicks the first inline button and prints a JSON summary.
"use strict";
const fs = require("fs");
const vm = require("vm");
const [, , root, userId, scriptPath] = process.argv;

class Node_ {
  constructor(tag) {
    this.tagName = tag; this.children = []; this.dataset = {}; this.listeners = {};
    this.className = ""; this.hidden = false; this.value = ""; this.checked = false;
    this.scrollHeight = 0; this.scrollTop = 0; this.clientHeight = 0; this.files = [];
  }
  append(...nodes) {
    for (const n of nodes) {
      if (typeof n === "string") this.children.push(new Text_(n));
      else if (n.tagName === "#fragment") this.children.push(...n.children);
      else this.children.push(n);
    }
  }
  replaceChildren(...nodes) { this.children = []; this.append(...nodes); }
  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
  click() { (this.listeners.click || []).forEach((fn) => fn({ preventDefault() {} })); }
  get textContent() { return this.children.map((c) => c.textContent).join(""); }
  set textContent(v) { this.children = [new Text_(String(v))]; }
  all() { return this.children.flatMap((c) => (c instanceof Text_ ? [] : [c, ...c.all()])); }
}
class Text_ { constructor(t) { this.textContent = t; } }

const byId = {};
const document = {
  getElementById: (id) => (byId[id] ||= new Node_("DIV")),
  createElement: (tag) => new Node_(tag.toUpperCase()),
  createTextNode: (t) => new Text_(t),
  createDocumentFragment: () => new Node_("#fragment"),
};
const storage = {};
const context = {
  document,
  window: { alert() {}, prompt() { return null; } },
  localStorage: { getItem: (k) => storage[k] ?? null, setItem: (k, v) => { storage[k] = String(v); } },
  location: { search: "?user=" + userId },
  URLSearchParams, JSON, Promise, Error, Number, String, Set, Object, Date, console,
  setTimeout, clearTimeout,
  fetch: (path, options) => fetch(root + path, options),
  Option: function (text, value, _d, selected) {
    const n = new Node_("OPTION"); n.textContent = text; n.value = value; n.selected = selected; return n;
  },
  FileReader: function () {},
};
vm.runInNewContext(fs.readFileSync(scriptPath, "utf8"), context);

setTimeout(() => {
  const chat = byId.chat;
  const nodes = chat.all();
  const messages = nodes.filter((n) => /^msg /.test(n.className));
  const buttons = nodes.filter((n) => n.tagName === "BUTTON" && n.className === "kb");
  const summary = {
    messages: messages.map((m) => ({ cls: m.className, text: m.textContent })),
    tags: nodes.map((n) => n.tagName),
    callbacks: buttons.map((b) => b.dataset.callback),
    status: byId.status.textContent,
  };
  if (buttons.length) buttons[0].click();
  setTimeout(() => { console.log(JSON.stringify(summary)); process.exit(0); }, 400);
}, 800);
