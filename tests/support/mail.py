"""An e-mail backend for tests with a worker in another process: Django's file backend
(one file per message, into NABOLAGET_TEST_MAIL_DIR), slowed down by
NABOLAGET_TEST_MAIL_DELAY seconds before each message, so that a test can stop the
worker or cut its database connection while a batch is being sent."""

import os
import time

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["NABOLAGET_TEST_MAIL_DIR"])
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("NABOLAGET_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)
