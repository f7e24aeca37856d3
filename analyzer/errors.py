"""Errors that end a run with a one-line message and exit code 2."""


class InputError(Exception):
    """Bad input: names the input and the problem, printed as one line."""

    def __init__(self, source: str, problem: str):
        # One line, whatever the input put in it (a path, a quoted header).
        source, problem = " ".join(str(source).split()), " ".join(str(problem).split())
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem

    def __reduce__(self):  # crosses from a worker process intact
        return InputError, (self.source, self.problem)


class ToolMissing(Exception):
    """A system tool xenlint needs at run time is not installed."""

    def __init__(self, tool: str, hint: str):
        super().__init__(f"{tool} not found: {hint}")
        self.tool = tool
        self.hint = hint

    def __reduce__(self):
        return ToolMissing, (self.tool, self.hint)
