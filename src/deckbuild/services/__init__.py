"""Shared services below the layouts and writers: font metrics and line breaking
(``measure``), styled spans (``spans``), syntax highlighting (``highlight``), colours
(``colour``) and the day's schedule (``schedule``). They import only the model."""
