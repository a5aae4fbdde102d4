"""Small Qt helpers every panel may use: refresh throttling, plot styling, maths text,
labels for changing numbers. Nothing here knows the Session."""
