"""CartToCart: the box's domain, store, SMS reading, use cases, operations, wiring and command line.

The layers, each a package (tests/unit/test_layers.py holds the rules):
``domain`` (pure rules) <- ``settings`` <- ``store`` and ``sms`` <- ``usecases``
<- ``box``; ``web`` sees use cases only; ``runtime``/``jobs`` (the composition
root) and ``cli`` wire them with the ``modem`` library.
"""

__version__ = "0.2.0.dev0"
