"""Modal screens: pickers, confirmations, the composer and the other dialogs that float over a screen."""
