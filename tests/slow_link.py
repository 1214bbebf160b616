#!/usr/bin/env python3
"""A slow link between a terminal and a program, as ssh over a long line: every chunk the
terminal writes reaches the program DELAY_MS later, whole (one write, one packet).
Usage: slow_link.py DELAY_MS PROGRAM [ARGS...]; the program runs in its own pty."""
import fcntl, os, pty, select, signal, struct, sys, termios, time, tty

delay = float(sys.argv[1]) / 1000.0
size = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, size)
    os.execvp(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
tty.setraw(0)
signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
queue = []  # (due, bytes), in arrival order
while True:
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        os.write(fd, queue.pop(0)[1])
    timeout = max(0.0, queue[0][0] - now) if queue else None
    try:
        ready, _, _ = select.select([0, fd], [], [], timeout)
    except InterruptedError:
        continue
    if 0 in ready:
        data = os.read(0, 4096)
        if data:
            queue.append((time.monotonic() + delay, data))
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        os.write(1, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
