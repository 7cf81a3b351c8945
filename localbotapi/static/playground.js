// Playground for the local Bot API: one simulated user's private chat with the bot.
// Plain DOM APIs only; message text is rendered from Bot API entities with textContent,
// so bot output can never inject markup.
"use strict";

const api = (path, options = {}) =>
  fetch("/_control" + path, {
    headers: { "Content-Type": "application/json" },
    ...options,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  }).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  });

const $ = (id) => document.getElementById(id);
let userId = null;
let version = -1;
let seenAnswers = new Set();
let renderedKey = "";

const ENTITY_TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  text_link: "a", url: "a", spoiler: "span", blockquote: "blockquote",
  expandable_blockquote: "blockquote",
};

function safeHref(url) {
  return /^(https?:|tg:)/i.test(url || "") ? url : null;
}

// "15:49": hours and minutes, 24-hour (slicing toLocaleTimeString gave "3:49:").
function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

let botUsername = "";

// A link that opens this bot with a start parameter (the guardian's link, an
// invitation): in Telegram another person would open it in their own chat.
function deepLinkStart(href) {
  const match = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{1,64})$/.exec(href || "");
  return match && botUsername && match[1].toLowerCase() === botUsername.toLowerCase() ? match[2] : null;
}

function makeLink(href, child) {
  const el = document.createElement("a");
  el.href = href;
  el.append(child);
  const start = deepLinkStart(href);
  if (start) {
    el.className = "deep-link";
    el.title = "Open as a second person";
    el.addEventListener("click", (event) => { event.preventDefault(); openAsSecondPerson(start); });
  } else {
    el.target = "_blank";
    el.rel = "noopener noreferrer";
  }
  return el;
}

// Plain text with its bare https:// addresses made links, as Telegram shows them.
function linkify(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    frag.append(text.slice(last, match.index));
    frag.append(makeLink(match[0], document.createTextNode(match[0])));
    last = match.index + match[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

// The guardian opens the child's link in their own Telegram: here, a second person
// (made once, then reused) is chosen and sends /start with the link's parameter.
async function openAsSecondPerson(start) {
  const users = await api("/users");
  const current = users.find((u) => u.id === userId);
  let other = users.find((u) => u.id !== userId);
  if (!other) {
    other = await api("/users", { method: "POST", body: { first_name: "Hoa", language_code: (current && current.language_code) || "vi" } });
  }
  localStorage.setItem("localbotapi.user", other.id);
  await chooseUser();
  await refresh();
  await sendText("/start " + start);
  toast("Opened as " + other.first_name + " (" + other.id + ")");
}

// Render text + entities (UTF-16 offsets, the same unit as JS strings).
function renderText(text, entities) {
  const frag = document.createDocumentFragment();
  const usable = (entities || []).filter((e) => ENTITY_TAGS[e.type]);
  if (!usable.length) {
    frag.append(linkify(text));
    return frag;
  }
  const cuts = new Set([0, text.length]);
  usable.forEach((e) => { cuts.add(e.offset); cuts.add(e.offset + e.length); });
  const points = [...cuts].filter((p) => p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const active = usable
      .filter((e) => e.offset <= start && e.offset + e.length >= end)
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    const linked = active.some((e) => ENTITY_TAGS[e.type] === "a");
    let node = linked ? document.createTextNode(text.slice(start, end)) : linkify(text.slice(start, end));
    for (const entity of active.reverse()) {
      let el = document.createElement(ENTITY_TAGS[entity.type]);
      if (el.tagName === "A") {
        const href = safeHref(entity.type === "url" ? text.slice(entity.offset, entity.offset + entity.length) : entity.url);
        el = href ? makeLink(href, node) : el;
        if (!href) el.append(node);
        node = el;
        continue;
      }
      if (entity.type === "spoiler") el.className = "spoiler";
      el.append(node);
      node = el;
    }
    frag.append(node);
  }
  return frag;
}

function renderMedia(m, box) {
  if (m.photo && m.photo.length) {
    const img = document.createElement("img");
    img.src = "/_control/files/" + encodeURIComponent(m.photo[m.photo.length - 1].file_id) + "/content";
    img.alt = "photo";
    box.append(img);
  }
  const labels = { document: "📄", voice: "🎤 voice", sticker: "", audio: "🎵", video: "🎬 video" };
  for (const [key, label] of Object.entries(labels)) {
    if (!m[key]) continue;
    const a = document.createElement("a");
    a.className = "file " + key;
    a.href = "/_control/files/" + encodeURIComponent(m[key].file_id) + "/content";
    a.target = "_blank";
    a.textContent = key === "sticker" ? (m.sticker.emoji || "🖼") + " sticker" : `${label} ${m[key].file_name || ""}`;
    box.append(a);
  }
}

function renderKeyboard(m) {
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (!rows.length) return null;
  const kb = document.createElement("div");
  kb.className = "keyboard";
  kb.dataset.messageId = m.message_id;
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const button of row) {
      let el;
      if (button.url) {
        el = document.createElement("a");
        el.href = safeHref(button.url) || "#";
        el.target = "_blank";
        el.rel = "noopener noreferrer";
        el.className = "kb url";
      } else {
        el = document.createElement("button");
        el.type = "button";
        el.className = "kb";
        if (button.callback_data !== undefined) el.dataset.callback = button.callback_data;
        el.dataset.messageId = m.message_id;
        el.addEventListener("click", () => press(button.callback_data ?? button.text, m.message_id));
      }
      el.textContent = button.text;
      line.append(el);
    }
    kb.append(line);
  }
  return kb;
}

function render(state) {
  const key = JSON.stringify([state.messages, state.reply_keyboard, state.chat_action, state.user]);
  if (key === renderedKey) return;
  renderedKey = key;
  const chat = $("chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  chat.replaceChildren();
  for (const m of state.messages) {
    const box = document.createElement("div");
    box.className = "msg " + m.sender;
    box.dataset.messageId = m.message_id;
    renderMedia(m, box);
    const body = document.createElement("div");
    body.className = "text";
    if (m.text !== undefined) body.append(renderText(m.text, m.entities));
    else if (m.caption !== undefined) body.append(renderText(m.caption, m.caption_entities));
    box.append(body);
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = (m.edited ? "edited " : "") + clock(m.date);
    box.append(meta);
    chat.append(box);
    const kb = renderKeyboard(m);
    if (kb) chat.append(kb);
  }
  if (state.user.blocked) {
    const note = document.createElement("div");
    note.className = "blocked-note";
    note.textContent = "You blocked this bot";
    chat.append(note);
  }
  if (atBottom) chat.scrollTop = chat.scrollHeight;
  $("status").textContent = state.chat_action ? state.chat_action.replace("_", " ") + "…" : "bot";
  $("lang").value = state.user.language_code || "vi";
  $("blocked").checked = state.user.blocked;
  renderReplyKeyboard(state.reply_keyboard);
}

function renderReplyKeyboard(markup) {
  const box = $("reply-kb");
  box.replaceChildren();
  for (const row of (markup && markup.keyboard) || []) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const button of row) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = "reply-button";
      el.textContent = button.text;
      el.addEventListener("click", () => sendText(button.text));
      line.append(el);
    }
    box.append(line);
  }
}

function toast(text, alertBox) {
  if (alertBox) { window.alert(text); return; }
  const el = $("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 2500);
}

async function showAnswers() {
  const answers = await api("/callback_answers?user_id=" + userId);
  for (const a of answers) {
    if (!a.answered || seenAnswers.has(a.callback_query_id)) continue;
    seenAnswers.add(a.callback_query_id);
    if (a.text) toast(a.text, a.show_alert);
  }
}

async function refresh() {
  const state = await api(`/users/${userId}/chat`);
  render(state);
  await showAnswers();
  return state.version;
}

async function liveLoop() {
  for (;;) {
    try {
      version = await refresh();
      await api(`/changes?since=${version}&timeout=20`);
    } catch (err) {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const sendText = (text) => api(`/users/${userId}/messages`, { method: "POST", body: { text } });
const press = (button, messageId) =>
  api(`/users/${userId}/press`, { method: "POST", body: { button, message_id: messageId } })
    .catch((err) => toast(err.message));

async function chooseUser() {
  const [users, state] = await Promise.all([api("/users"), api("/state")]);
  $("bot-name").textContent = state.bot.first_name + " (@" + state.bot.username + ")";
  botUsername = state.bot.username || "";
  let list = users;
  if (!list.length) list = [await api("/users", { method: "POST", body: { first_name: "Lan", username: "lan", language_code: "vi" } })];
  const wanted = Number(new URLSearchParams(location.search).get("user")) || Number(localStorage.getItem("localbotapi.user"));
  userId = (list.find((u) => u.id === wanted) || list[0]).id;
  $("user").replaceChildren(...list.map((u) => new Option(`${u.first_name} (${u.id})`, u.id, false, u.id === userId)));
  localStorage.setItem("localbotapi.user", userId);
  seenAnswers = new Set((await api("/callback_answers?user_id=" + userId)).map((a) => a.callback_query_id));
  renderedKey = "";
}

function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}

function wire() {
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    await sendText(text).catch((err) => toast(err.message));
  });
  $("lang").addEventListener("change", async () => {
    const code = $("lang").value;
    await api(`/users/${userId}/settings`, { method: "POST", body: { language_code: code } });
    if ($("lang-command").checked) await sendText("/language " + code);
  });
  $("blocked").addEventListener("change", () =>
    api(`/users/${userId}/${$("blocked").checked ? "block" : "unblock"}`, { method: "POST" }));
  $("user").addEventListener("change", async () => {
    localStorage.setItem("localbotapi.user", $("user").value);
    await chooseUser();
    await refresh();
  });
  $("new-user").addEventListener("click", async () => {
    const name = window.prompt("First name of the new user", "Minh");
    if (!name) return;
    const user = await api("/users", { method: "POST", body: { first_name: name, language_code: $("lang").value } });
    localStorage.setItem("localbotapi.user", user.id);
    await chooseUser();
    await refresh();
  });
  $("photo").addEventListener("change", async () => {
    const file = $("photo").files[0];
    if (!file) return;
    const data = await fileToBase64(file);
    await api(`/users/${userId}/messages`, { method: "POST", body: { photo: true, data_base64: data, mime_type: file.type } });
    $("photo").value = "";
  });
}

wire();
chooseUser().then(liveLoop);
