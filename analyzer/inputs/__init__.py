"""Inputs: C files and trees, patches, mails.  Everything here turns bytes
from the outside into text with a name, or fails with one clear InputError."""
