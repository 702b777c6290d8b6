"""The national portal's figures since the 2025 reform: units of a province (communes, departments) or
the provinces of the country, each with its total and six group scores for a period.

    helpers.parsers.portal   the four file formats -> rows as printed, with file and line
    helpers.portal.schema    the columns of the portal store (data/store/portal/)
    helpers.portal.ingest    rows -> 2025 official codes, checks, records and findings, stored atomically
    helpers.portal.score     bands, ranks within a level (competition rank), points lost per group
"""
