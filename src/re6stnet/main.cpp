// re6stnet: entry point. The program is not implemented yet; its issue makes it real.
#include <cstdio>

int main()
{
    std::fputs("re6stnet: not implemented yet\n", stderr);
    return 1;
}
