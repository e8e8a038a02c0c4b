"""Reports: labels, number formats, figures, HTML, Excel and console tables."""
