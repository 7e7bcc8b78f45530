"""Raw oslo.messaging messages on RabbitMQ, built from nova's serializer.

``payload()`` is what nova's client puts on the bus for a call or cast
(nova's RequestContextSerializer over NovaObjectSerializer, exactly as
oslo.messaging's RPCClient applies it); ``Bus`` publishes such messages,
or anything else, straight to the service's exchange with kombu, and
collects replies on a reply queue of its own. A call may name a reply
queue that does not exist (a caller that vanished).
"""

import json
import threading
import time
import uuid

import kombu

from tests.compat.codec import nova_env

RABBIT = 'amqp://guest:guest@127.0.0.1:5672//'


def payload(ctxt, method, version, **args):
    """(message, context dict) as nova's client sends ``method``."""
    message = {'method': method, 'namespace': None, 'version': version,
               'args': {k: nova_env.SERIALIZER.serialize_entity(ctxt, v)
                        for k, v in args.items()}}
    # Through JSON: what the wire carries.
    return (json.loads(json.dumps(message, default=str)),
            json.loads(json.dumps(
                nova_env.SERIALIZER.serialize_context(ctxt), default=str)))


def envelope(message, context, msg_id=None, reply_q=None):
    """oslo.messaging's 2.0 envelope of a message (a call with msg_id)."""
    msg = dict(message)
    msg.update((f'_context_{k}', v) for k, v in context.items())
    msg['_unique_id'] = uuid.uuid4().hex
    if msg_id is not None:
        msg['_msg_id'] = msg_id
        msg['_reply_q'] = reply_q
    return {'oslo.version': '2.0', 'oslo.message': json.dumps(msg)}


class Bus:
    """A kombu connection to the service's exchange, with a reply queue.
    """

    def __init__(self, exchange, topic):
        self.exchange = exchange
        self.topic = topic
        self.conn = kombu.Connection(RABBIT)
        self.producer = kombu.Producer(self.conn.channel())
        self.reply_q = f'reply_{uuid.uuid4().hex}'
        self.replies = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        reply_exchange = kombu.Exchange(self.reply_q, type='direct',
                                        durable=False, auto_delete=True)
        self._consumer_conn = kombu.Connection(RABBIT)
        queue = kombu.Queue(self.reply_q, reply_exchange,
                            routing_key=self.reply_q, durable=False,
                            auto_delete=True)
        self._consumer = kombu.Consumer(
            self._consumer_conn.channel(), queues=[queue],
            callbacks=[self._on_reply], accept=['json'])
        self._consumer.consume()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        while not self._stop.is_set():
            try:
                self._consumer_conn.drain_events(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return

    def _on_reply(self, body, message):
        message.ack()
        try:
            reply = json.loads(body['oslo.message'])
        except (KeyError, TypeError, ValueError):
            return
        if 'ending' in reply or 'result' in reply or 'failure' in reply:
            with self._lock:
                self.replies[reply.get('_msg_id')] = reply

    def close(self):
        self._stop.set()
        self._thread.join(5)
        for conn in (self.conn, self._consumer_conn):
            try:
                conn.release()
            except OSError:
                pass

    def publish(self, body, content_type=None):
        """``body``: a dict (sent as JSON, as oslo.messaging does) or bytes.
        """
        kwargs = {}
        if isinstance(body, bytes):
            kwargs = {'content_type': content_type or 'application/json',
                      'content_encoding': 'utf-8'}
        self.producer.publish(body, exchange=self.exchange,
                              routing_key=self.topic, **kwargs)

    def call(self, message, context, reply_q=None):
        """Publish a call; its msg_id (the reply comes to ``replies``)."""
        msg_id = uuid.uuid4().hex
        self.publish(envelope(message, context, msg_id,
                              reply_q or self.reply_q))
        return msg_id

    def cast(self, message, context):
        self.publish(envelope(message, context))

    def wait_replies(self, msg_ids, timeout):
        """The replies among ``msg_ids`` that came within ``timeout``."""
        deadline = time.monotonic() + timeout
        wanted = set(msg_ids)
        while True:
            with self._lock:
                got = {m: self.replies[m] for m in wanted
                       if m in self.replies}
            if len(got) == len(wanted) or time.monotonic() > deadline:
                return got
            time.sleep(0.1)
