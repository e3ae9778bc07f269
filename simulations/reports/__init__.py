"""Reports: turning results into files and tables people read (summary, later workbooks, charts, HTML)."""
