"""Commands about members and register users."""
