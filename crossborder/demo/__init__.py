"""The demo of the parliamentary answer and the load generator of the benchmark: data that the
product can hold, kept apart from the product's settings and URLs (an app for its commands)."""
