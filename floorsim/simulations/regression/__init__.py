"""Regression tools: golden snapshots, package diffs, rule comparison, dead parameters, validation against administrative figures."""
