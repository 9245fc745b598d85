#!/usr/bin/python3
"""bench_tlssink.py: an SMTP sink for tests/bench/notify_tls.sh (aiosmtpd).

    bench_tlssink.py -P PORTFILE -S STATUSFILE -n N [--cert PEM --key PEM]

Binds 127.0.0.1 on a free port and writes it to PORTFILE. With --cert/--key it
offers STARTTLS and refuses mail before it (require_starttls), like Office 365,
Google or Exchange relays; without, plain SMTP. Messages are counted and thrown
away. When the N-th has been accepted, and on SIGTERM/SIGINT, it writes
STATUSFILE (atomically) with key=value lines as pw-bench-smtpsink does:
messages, connections, first and nth (wall times, seconds), cpu (its own
user+system CPU seconds), and for TLS: handshakes (STARTTLS completed) and
resumed (of which were abbreviated TLS session resumptions).
"""
import argparse
import asyncio
import os
import resource
import signal
import ssl
import time

from aiosmtpd.smtp import SMTP


class Stats:
    messages = connections = handshakes = resumed = 0
    first = nth = 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-P", dest="portfile", required=True)
    ap.add_argument("-S", dest="status", required=True)
    ap.add_argument("-n", dest="n", type=int, required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    st = Stats()
    written = False

    def dump():
        ru = resource.getrusage(resource.RUSAGE_SELF)
        tmp = a.status + ".tmp"
        with open(tmp, "w") as f:
            f.write("messages=%d\nconnections=%d\nhandshakes=%d\nresumed=%d\n"
                    "first=%.6f\nnth=%.6f\ncpu=%.2f\n"
                    % (st.messages, st.connections, st.handshakes, st.resumed, st.first,
                       st.nth, ru.ru_utime + ru.ru_stime))
        os.rename(tmp, a.status)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            nonlocal written
            st.messages += 1
            now = time.time()
            if st.messages == 1:
                st.first = now
            if st.messages == a.n:
                st.nth = now
            if st.messages >= a.n and not written:
                written = True
                dump()
            return "250 2.0.0 OK"

    class Server(SMTP):
        counted = False

        def connection_made(self, transport):
            # Called again on the TLS transport once STARTTLS is done.
            if not self.counted:
                self.counted = True
                st.connections += 1
            super().connection_made(transport)

        async def smtp_STARTTLS(self, arg):
            await super().smtp_STARTTLS(arg)
            obj = self.transport.get_extra_info("ssl_object")
            if obj is not None:
                st.handshakes += 1
                st.resumed += 1 if obj.session_reused else 0

    ctx = None
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    handler = Handler()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        lambda: Server(handler, hostname="sink.bench", tls_context=ctx,
                       require_starttls=ctx is not None, loop=loop),
        "127.0.0.1", 0, backlog=1024))
    port = server.sockets[0].getsockname()[1]
    with open(a.portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(a.portfile + ".tmp", a.portfile)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    loop.run_until_complete(stop.wait())
    if not written:
        dump()
    server.close()


if __name__ == "__main__":
    main()
