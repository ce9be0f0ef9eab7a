"""The clock: the practice's rhythm, posted through Messengers by platform name.

``huddle clock`` runs :func:`bot.clock.scheduler.run_clock`. The jobs are the table
in :mod:`bot.clock.jobs`, one file each, defined through :mod:`bot.clock.engine`,
which claims, posts and records for all of them; each is a plain ``async`` callable
of ``(huddle, messengers, now)`` that tests and ``huddle jobs run`` call directly.
Nothing here imports a platform SDK: messengers come from the ``huddle.messengers``
entry-point group.
"""
