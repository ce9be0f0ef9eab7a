"""A CSV day sheet (what Open Dental, Dentrix and others export) as a schedule source."""
