"""Robustness: crashes, hostile input and access, the terminal after quitting, real SSH."""
