"""Tests that drive the web pages in a real browser (Playwright and Debian's chromium)."""
