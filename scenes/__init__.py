"""Manim scenes, one file per chapter, and the drawing pieces they share."""
