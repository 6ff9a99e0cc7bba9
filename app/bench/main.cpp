#include <cstdio>

int main() {
    std::fputs("usage: prism-bench ops [options]\n", stderr);
    return 2;
}
