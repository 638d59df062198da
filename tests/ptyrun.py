#!/usr/bin/env python3
"""Runs a command with a terminal on stdin and stdout, for the tests that
need cachescope to believe it talks to a person.

    ptyrun.py [--out FILE] [--stderr FILE] [--size COLSxROWS]
              [--wait TEXT --keys KEYS] [--timeout SECONDS] -- COMMAND...

Every byte the command writes to the terminal goes to --out, exactly as
written: the terminal is put in raw mode first, so no newline becomes
CR LF on the way. Standard error goes to the terminal too, or to --stderr.
With --wait, KEYS are typed once TEXT has appeared (e.g. "q" to leave the
browser). Exits with the command's status (124 on timeout, as timeout(1)).
"""
import argparse
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
import tty


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/dev/null")
    ap.add_argument("--stderr")
    ap.add_argument("--size", default="80x24")
    ap.add_argument("--wait")
    ap.add_argument("--keys", default="")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command", nargs="+")
    args = ap.parse_args()

    master, slave = pty.openpty()
    tty.setraw(slave)
    cols, rows = (int(n) for n in args.size.split("x"))
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    err = open(args.stderr, "wb") if args.stderr else slave

    def session():
        # a session of its own with the pty as its controlling terminal
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(args.command, stdin=slave, stdout=slave, stderr=err,
                             preexec_fn=session, close_fds=True)
    os.close(slave)
    captured = bytearray()
    typed = args.wait is None
    deadline = time.monotonic() + args.timeout
    status = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            child.kill()
            child.wait()
            status = 124
            break
        ready, _, _ = select.select([master], [], [], min(left, 0.1))
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave end is closed
                data = b""
            if not data:
                status = child.wait()
                break
            captured += data
        if not typed and args.wait.encode() in captured:
            time.sleep(0.2)
            os.write(master, args.keys.encode())
            typed = True
        if not ready and child.poll() is not None:
            # drain what is left, then stop
            while select.select([master], [], [], 0)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                captured += data
            status = child.returncode
            break
    with open(args.out, "wb") as f:
        f.write(captured)
    if status is not None and status < 0:  # killed by a signal, as a shell reports it
        status = 128 - status
    sys.exit(status)


if __name__ == "__main__":
    main()
