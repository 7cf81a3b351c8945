"""``scorecard-bot playground`` as a child process, for the tests that use it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.driver import ROOT


class Playground:
    def __init__(self, folder: Path, *arguments: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCORECARD_")}
        env.pop("TELEGRAM_BOT_TOKEN", None)  # the playground needs none
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.log = folder / "playground.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "playground", "--port", "0", "--no-browser", *arguments],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log.open("wb"),
            text=True,
        )
        self.printed: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(line)
            match = re.match(r"Playground: (http://127\.0\.0\.1:\d+/)", line)
            if match:
                self.url = match.group(1)
                return
        raise RuntimeError(f"no playground address printed: {self.printed} {self.errors()}")

    @property
    def control_url(self) -> str:
        return self.url + "_control"

    def errors(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as a person would."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
