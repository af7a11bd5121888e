"""The screens of a logged-in officer, one module each."""
