"""The five learning titles: families, clans, village communities, units, citizens.

Layout:

* ``criteria/`` — the pure engine: criteria sets as TOML data and the scoring function.
* ``models`` — subjects (``Household`` with ``HouseholdMember``, ``Clan``, ``Community``,
  ``Unit``, ``Citizen``), stored criteria sets (``CriteriaSetVersion``), one
  ``Evaluation`` per (title, subject, year) with its ``EvaluationStep`` log, the
  ``Recognition`` decision, and the public form's ``PublicLink``/``CitizenSubmission``.
* ``services/`` — every write: ``workflow`` (register → self-assess → review →
  approve/return/not met → recognise, all in bulk), ``scoring`` (batch scoring from the
  database), ``subjects``, ``households_bulk`` and ``sheets`` (the village sheets, a kind
  of the shared import pipeline), ``criteria`` (sets in the pages), ``public``.
* ``selectors`` — counts for any subtree and year (``title_counts``,
  ``title_counts_by_node`` for the reports' tables, ``citizen_denominators``), the
  review table, lists.
* ``years.is_year_closed`` — the one place that says whether a year is closed; it
  reads the reports area's ``YearClose``.
"""
