"""`make bench`: Gongzhi measured against this machine's limit (see bench/__main__.py and docs/performance.md)."""
