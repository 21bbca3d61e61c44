"""What editors use: copy statuses, the static review page, the local web workbench and its one edit path."""
