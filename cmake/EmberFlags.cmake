# Compiler flags and build types.
#   RelWithDebInfo (default)  -O2 -g, what users and benchmarks run
#   Release                   -O3
#   Debug                     -O0 -g
#   Asan                      AddressSanitizer + UndefinedBehaviorSanitizer, -O1 -g
set(EMBER_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(EMBER_WERROR)
  list(APPEND EMBER_WARNINGS -Werror)
endif()

set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O2 -g -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELEASE "-O3 -DNDEBUG")
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined")
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined")

# Fault-injection points compile away unless asked for (tests turn them on).
add_compile_definitions(EMBER_VERSION="${PROJECT_VERSION}")

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
# lld links much faster than bfd on 2 cores.
find_program(LLD_PROGRAM ld.lld)
if(LLD_PROGRAM)
  add_link_options(-fuse-ld=lld)
endif()

# ember_library(NAME SOURCES... DEPS ...): one library target per source folder.
function(ember_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${EMBER_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()
