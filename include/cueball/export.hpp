// CUEBALL_EXPORT marks what the shared libraries (libcueball.so and the
// plugins') export. They are built with hidden visibility, so that the
// symbols of spdlog, fmt, Boost and the standard library instantiated inside
// them stay private and only the API declared here is linkable. On ELF the
// same attribute serves the library that defines a symbol and the code that
// uses it, so one macro does for the core and every plugin; in a static
// build it changes nothing a user can see.
//
// Classes with virtual functions users derive from or catch (errors,
// Connection, Resolver) are marked as a whole, so that their type_info and
// vtable are shared across the library boundary. Other classes mark their
// out-of-line members one by one: exporting a plain struct would also export
// every standard-library template the library instantiates over it.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define CUEBALL_EXPORT __attribute__((visibility("default")))
#else
#define CUEBALL_EXPORT
#endif
