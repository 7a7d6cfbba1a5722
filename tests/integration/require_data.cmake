# cmake -DSHARED_DATA=... -DEXAMPLE=... -DSCENARIO=... -P require_data.cmake
#
# Setup for the integration tests: fails loudly when the real data or the example scenario is
# missing. When SCENARIO differs from EXAMPLE (ACCESSIM_SHARED_DATA points somewhere other than
# the example's relative ../../../shared/data), writes SCENARIO: a copy of EXAMPLE with that
# folder replaced by the absolute SHARED_DATA.
foreach(f poa/poa_osm.pbf poa/poa_hexgrid.csv)
  if(NOT EXISTS "${SHARED_DATA}/${f}")
    message(FATAL_ERROR
      "integration data missing: ${SHARED_DATA}/${f} does not exist.\n"
      "The integration tests need the shared real data (Porto Alegre sample). Configure with "
      "-DACCESSIM_SHARED_DATA=<folder holding poa/poa_osm.pbf>, or skip them with "
      "`ctest -LE integration`.")
  endif()
endforeach()
if(NOT EXISTS "${EXAMPLE}")
  message(FATAL_ERROR "example scenario missing: ${EXAMPLE}")
endif()
if(NOT SCENARIO STREQUAL EXAMPLE)
  file(READ "${EXAMPLE}" text)
  string(FIND "${text}" "../../../shared/data" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${EXAMPLE} does not refer to ../../../shared/data, so it cannot be "
                        "pointed at ACCESSIM_SHARED_DATA=${SHARED_DATA}")
  endif()
  string(REPLACE "../../../shared/data" "${SHARED_DATA}" text "${text}")
  file(WRITE "${SCENARIO}" "${text}")
  message(STATUS "wrote ${SCENARIO} (data from ${SHARED_DATA})")
endif()
message(STATUS "integration data present in ${SHARED_DATA}")
