"""Stories: reports of one event merged across outlets; summaries."""
