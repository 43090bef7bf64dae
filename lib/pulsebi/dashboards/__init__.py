"""Page builders: what the executive dashboard and the scorecards show.

A notebook holds a `parameters` cell and one call, e.g.::

    from pulsebi.dashboards import executive
    executive.show(branch=branch, preset=preset, date_from=date_from, date_to=date_to,
                   grain=grain, static=static)

Under Voilà (`static=False`) the page is live: a filter bar, widgets, bqplot charts; under
Papermill (`static=True`) the same sections render once as HTML and SVG.
"""
