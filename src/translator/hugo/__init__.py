"""The site as Hugo sees it: config files, languages, pages and their language, pairs by translationKey or path."""
