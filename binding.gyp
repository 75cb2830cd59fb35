{
  "targets": [
    {
      "target_name": "clbench_blas",
      "sources": ["native/clbench_blas.c"],
      "cflags": ["-O2", "-std=c11"],
      "include_dirs": ["<!@(pkg-config --cflags-only-I openblas | sed 's/-I//g')"],
      "libraries": ["<!@(pkg-config --libs openblas)"]
    }
  ]
}
