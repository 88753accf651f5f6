"""Plotly figures shared by the dashboard's pages and the reports: no Streamlit here, only drawing.

`common` holds the Italian number format, the palette and the generic line and bar charts; `budget`,
`evaluation` and `impact` the figures of those pages and reports.
"""
