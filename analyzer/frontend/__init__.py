"""The C front end.

Two layers, chosen by what the input allows:

* syntax (tree-sitter-c): always available, works on unconfigured trees and on
  patch hunks that start in the middle of a function; gives exact sites.
* semantic (libclang): used only when a compile_commands.json says how a file
  is built; adds type facts (aliases of the shared_info pointer).

Both produce the same FileFacts, which is all the rules ever see.
"""
