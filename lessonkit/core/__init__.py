"""The foundation every part stands on: where the course lives, its errors, its message boxes."""
