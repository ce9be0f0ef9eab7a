"""The clock: the weekly rhythm, posted through Messengers by platform name.

``huddle clock`` runs :func:`bot.clock.scheduler.run_clock`; every job body is a
plain ``async`` function of ``(huddle, messengers, now)`` in :mod:`bot.clock.jobs`
that tests and ``huddle jobs run`` call directly. Nothing here imports a platform
SDK: messengers come from the ``huddle.messengers`` entry-point group.
"""
