"""The ``musharaka`` command: ``main`` builds it from one module per command group.

``run`` (run, scheduler, send-broadcasts), ``simulate``, ``setup`` (db upgrade, staff add,
demo-data), ``admin``, ``forms`` (with ``odk``: pull, link, push-submissions), ``trainings``,
``i18n``, ``flows``.
"""
