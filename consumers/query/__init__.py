"""Questions to the views: the typed query objects (`model`) and their parsing from text (`params`)."""
