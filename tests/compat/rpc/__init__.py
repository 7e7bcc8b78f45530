# Import the package under test first: it picks oslo.service's threading
# backend before anything imports oslo_messaging (which would pick eventlet).
import scheduler.rpc  # noqa: F401
