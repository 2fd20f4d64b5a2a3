"""Progress of a long ingest: a bar with rate and ETA on a terminal, plain log lines otherwise.

tqdm draws the bar (it is already installed with spaCy, is small, and `tqdm.write`
keeps error lines from tearing the bar). When stderr is not a terminal (CI, a log file,
a pipe) a bar would be noise, so one line is logged every `every` seconds instead, with
the same numbers: posts done, rate, and an ETA when the total is known.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class Progress:
    """An `on_event` sink for kg.build.pipeline.ingest that shows progress and error lines."""

    def __init__(
        self,
        total: int | None,
        stream: IO[str] | None = None,
        every: float = 10.0,
        bar: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.every = every
        self.done = 0
        self.counts = {"written": 0, "skipped": 0, "error": 0}
        self.started = time.monotonic()
        self.last_log = self.started
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar: Any = None
        if use_bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="post", file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def __call__(self, kind: str, data: Any) -> None:
        if kind == "notice":  # something the person running kg should know (a lost worker …)
            self.line(str(data))
        elif kind == "error":
            self.counts["error"] += 1
            self.line(f"error: {data}")
            self._advance()
        elif kind in ("written", "skipped"):
            self.counts[kind] += 1
            self._advance()

    def line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def _advance(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(
                written=self.counts["written"],
                skipped=self.counts["skipped"],
                failed=self.counts["error"],
                refresh=False,
            )
            return
        now = time.monotonic()
        if now - self.last_log >= self.every:
            self.last_log = now
            self.line(self.status(now))

    def status(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        text = f"progress: {self.done}"
        if self.total:
            text += f"/{self.total} posts ({100 * self.done / self.total:.0f}%)"
        else:
            text += " posts"
        text += (
            f", {rate:.1f} posts/s, written {self.counts['written']}, skipped {self.counts['skipped']},"
            f" failed {self.counts['error']}"
        )
        if self.total and rate > 0 and self.done < self.total:
            text += f", ETA {_duration((self.total - self.done) / rate)}"
        return text

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
