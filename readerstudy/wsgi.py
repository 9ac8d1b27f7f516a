import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readerstudy.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, numpy, pandas, the URLconf: ~180,000 objects) lives as long
# as the process. Freezing it keeps the collector from walking all of it on every full
# collection: measured on the viewer benchmark, a full collection in a fresh server process was
# a ≈100 ms pause in the middle of a reader's first image load. In a pre-forking server it also
# keeps those pages shared between workers (no copy-on-write from the collector's bookkeeping).
gc.freeze()
