#!/usr/bin/python3
# smtp-sink.py: a loopback SMTP server for the sendmail tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: smtp-sink.py DIR
#
# Listens on 127.0.0.1 on a port the kernel picks, prints "PORT <n>" on
# stdout once it accepts connections, and stores each message it accepts as
# DIR/<n>.eml (the bytes as they arrived, CRLF line ends) and DIR/<n>.json
# (the envelope, and the headers and body as Python's email package decodes
# them, so the C test checks the message with an independent parser). Both
# files exist before the server answers 250 to DATA, so a sendmail that
# exited 0 has left them behind. Exits when its standard input closes, so a
# test that dies takes the server with it. Exits 77 (skip) without aiosmtpd.

import asyncio
import email
import email.policy
import json
import os
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print('SKIP python3-aiosmtpd is not installed', flush=True)
    sys.exit(77)


def header(message, name):
    value = message.get(name)
    return None if value is None else str(value)


def summary(envelope):
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    body = message.get_body(preferencelist=('plain',))
    return {
        'mail_from': envelope.mail_from,
        'rcpt_tos': envelope.rcpt_tos,
        'from': header(message, 'From'),
        'to': header(message, 'To'),
        'subject': header(message, 'Subject'),
        'date': header(message, 'Date'),
        'message_id': header(message, 'Message-ID'),
        'in_reply_to': header(message, 'In-Reply-To'),
        'references': header(message, 'References'),
        'content_type': message.get_content_type(),
        'charset': message.get_content_charset(),
        'body': body.get_content() if body is not None else None,
    }


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    def store(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path + '.tmp', 'wb') as f:
            f.write(data)
        os.rename(path + '.tmp', path)

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.store('%d.eml' % self.count, envelope.original_content)
        text = json.dumps(summary(envelope), ensure_ascii=False, indent=2)
        self.store('%d.json' % self.count, text.encode('utf-8'))
        return '250 OK stored as %d' % self.count


async def serve(directory):
    loop = asyncio.get_running_loop()
    handler = Sink(directory)
    server = await loop.create_server(lambda: SMTP(handler, hostname='sink.invalid'),
                                      '127.0.0.1', 0)
    print('PORT %d' % server.sockets[0].getsockname()[1], flush=True)

    stdin_closed = loop.create_future()

    def stdin_readable():
        if not os.read(sys.stdin.fileno(), 4096):
            loop.remove_reader(sys.stdin.fileno())
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    await stdin_closed
    server.close()


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: smtp-sink.py DIR')
    asyncio.run(serve(sys.argv[1]))
