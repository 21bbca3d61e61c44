"""The pure core: front matter, segments and tags, reassembly, the structure check, HTML text segments, the glossary, QA checks. Text in, text out."""
