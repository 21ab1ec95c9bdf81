"""The gallery: a static site of the rendered chapters that people open in a browser.

``python render.py site`` renders what is stale and calls :func:`gallery.build.build_site`, which
writes ``output/site/``: an index of the chapters and a page per rendered chapter (the video, its
captions as WebVTT, its beats, its storyboard and the model card read from the artifacts).
``python -m gallery.serve output/site`` serves it with byte ranges, so the browser can seek.
"""
