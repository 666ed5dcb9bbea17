"""Infrastructure shared by every domain. Nothing in here may import a domain package."""
