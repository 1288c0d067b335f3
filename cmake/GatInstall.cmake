# Installs the libraries and headers with an exported gat-config.cmake, so that other projects
# can find_package(gat) and link gat::gat.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/gat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gat gat_core gat_graph gat_kernels gat_autograd gat_ops gat_nn gat_optim gat_io gat_data gat_train
                gat_options gat_blas
        EXPORT gat-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT gat-targets NAMESPACE gat:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gat)
configure_package_config_file(cmake/gat-config.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/gat-config.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gat)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gat-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gat-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/gat-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gat)
