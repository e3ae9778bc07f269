"""From a schemes file to an OpenFisca country package: ``floorsim new-country``.

``schemes_file`` validates the file (the format is documented in ``docs/schemes_file.md``), ``context`` turns it
into what the templates print, and ``generate`` renders the Jinja2 templates of ``templates/`` into a package folder
written atomically. This layer writes plain text: it imports neither OpenFisca nor the engine.
"""
