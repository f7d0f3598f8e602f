class ManageError(Exception):
    """A refused project-management action; the message is shown to the user."""
