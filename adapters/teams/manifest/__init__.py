"""The Teams app manifest and icons that `huddle teams package` zips."""
