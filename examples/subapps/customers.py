"""The customers part of the subapps example: a sub-application with no
idea of where it is mounted (its routes start at "/")."""
from microdot import Microdot

customers_app = Microdot()

customers = {1: {'id': 1, 'name': 'Ada'}, 2: {'id': 2, 'name': 'Grace'}}


@customers_app.get('/')
async def list_customers(request):
    return [customers[key] for key in sorted(customers)]


@customers_app.get('/<int:customer_id>')
async def get_customer(request, customer_id):
    if customer_id not in customers:
        return {'error': 'no such customer'}, 404
    return customers[customer_id]
